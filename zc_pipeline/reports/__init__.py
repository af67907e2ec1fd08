"""Reports for people: league-city workbooks, regional bulletins, rectification notices and park
report cards, built from warehouse rows. Pure builders: frames in, bytes out; no Dagster, no I/O."""
