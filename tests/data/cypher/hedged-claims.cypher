// Golden: hedged-claims (?claim): the claims the source does not state as established.
MATCH ()-[r:Rel]->()
WHERE r.hedged AND r.claim_id IS NOT NULL
RETURN DISTINCT r.claim_id AS claim
