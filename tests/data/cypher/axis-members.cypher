// Golden: axis-members (?axis ?member): membership stated without hedge (a plain edge in RDF)
// of the axis given as $axis (its CURIE; the SPARQL's default is kb:gh-igf1-axis).
MATCH (m:Node)-[r:Rel]->(a:Node {id: $axis})
WHERE r.original_predicate = 'igfkg:memberOf' AND NOT r.hedged
RETURN DISTINCT a.iri AS axis, m.iri AS member
