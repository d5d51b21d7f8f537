"""Reading abstracts: sentences, entity and MeSH mentions, hedge, negation and direction cues,
written as machine-read evidence (never curated claims, never plain edges)."""
