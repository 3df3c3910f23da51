"""The synthetic sample (架空県): a seeded generator of report rows and the fictional
prefecture built from it, labelled 架空データ wherever it appears."""
