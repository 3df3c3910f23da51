"""From stored statistics to what people read: indicator specs, indicator values per area
and theme, and findings (citable sentences with their provenance)."""
