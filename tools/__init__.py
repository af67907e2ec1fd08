"""Repository tools kept outside the shipped `zc_pipeline` package (the sample-region generator)."""
