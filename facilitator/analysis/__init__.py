"""Where an area stands on a theme, read from its own report data.

``profile`` sets each of the area's figures against the prefecture with an honest
direction (small numbers are "uncertain", never "below average") and reads its 市町村
and the actors it has; ``catalogue`` holds, as data, the issues a council may have and
when the data shows them; ``claims`` checks that what a sheet says about the area is
not contradicted by its figures. Drafting builds on this; this never imports drafting.
"""
