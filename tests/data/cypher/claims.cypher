// Golden: claims (?claim ?subject ?object): every claim between two entities.
MATCH (s:Node)-[r:Rel]->(o:Node)
WHERE r.claim_id IS NOT NULL
RETURN DISTINCT r.claim_id AS claim, s.iri AS subject, o.iri AS object
