// Golden: adverse-effects (?drug ?effect): every adverse-effect claim, hedged or not.
MATCH (d:Node)-[r:Rel]->(e:Node)
WHERE r.original_predicate = 'igfkg:hasAdverseEffect'
RETURN DISTINCT d.iri AS drug, e.iri AS effect
