// Golden: adverse-effects (?effectLabel): the names of the adverse effects, by node label
// Phenotype or any other, reached from a node labelled Drug.
MATCH (d:Node)-[r:Rel]->(e:Node)
WHERE list_contains(string_split(d.labels, ';'), 'Drug') AND r.type = 'has_adverse_event'
RETURN DISTINCT e.name AS effectLabel
