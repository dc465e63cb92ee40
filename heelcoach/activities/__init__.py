"""Watch files (FIT, GPX, TCX, archives) -> activities -> training load."""
