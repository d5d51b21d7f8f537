// Golden: mesh-headings (?article ?descriptor): the descriptors an article is indexed with.
MATCH (a:Node)-[r:Rel]->(d:Node)
WHERE r.type = 'mentions'
RETURN DISTINCT a.iri AS article, d.iri AS descriptor
