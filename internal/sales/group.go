package sales

import (
	"kefu/internal/money"
	"kefu/internal/store"
)

// GroupShare is one agent's part of a group-purchase bonus (SAL-020).
type GroupShare struct {
	AgentID   store.ID   `json:"agent_id"`
	Receiving bool       `json:"receiving,omitempty"`
	Amount    money.Yuan `json:"amount"`
}

// GroupBonus shares a group-purchase bonus pot among the participating
// agents (SAL-020, G-30): the per-head share is pot / n; the on-duty agent
// who received the group gets it plus upliftPct percent of it; the others
// share what remains equally. Amounts are rounded down to the fen; the
// remainder (尾差, less than one fen per agent) is returned so that the
// manager sees every fen of the pot. receiving must be one of agents.
func GroupBonus(pot money.Yuan, receiving store.ID, agents []store.ID, upliftPct int) (shares []GroupShare, remainder money.Yuan) {
	n := int64(len(agents))
	if n == 0 || pot <= 0 {
		return nil, pot
	}
	perHead := pot / money.Yuan(n)
	mine := perHead + perHead.Percent(int64(upliftPct)*100)
	if n == 1 || mine > pot {
		mine = pot
	}
	rest := pot - mine
	each := money.Yuan(0)
	if n > 1 {
		each = rest / money.Yuan(n-1)
	}
	remainder = pot
	for _, a := range agents {
		s := GroupShare{AgentID: a, Amount: each}
		if a == receiving {
			s.Receiving, s.Amount = true, mine
		}
		remainder -= s.Amount
		shares = append(shares, s)
	}
	return shares, remainder
}
