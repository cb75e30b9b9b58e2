package web

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/store"
)

// procEvent prepares one entry of a process's timeline: its name, the step
// and round it is about, and the details worth reading in words.
func (s *Server) procEvent(ctx context.Context, e process.Event, def *policy.ProcessDef, pr *process.Process, units unitNamer,
	users map[store.ID]string, l i18n.Locale) procEvent {
	ev := procEvent{E: e, Name: labelOr("prc.ev."+e.Action, e.Action, l), Actor: e.Actor, At: exact(e.At), Note: e.Note,
		System: e.ActorID == 0, Class: strings.ReplaceAll(e.Action, ".", "-")}
	if n := s.userName(ctx, users, e.ActorID, l); n != "" && n != e.Actor {
		ev.Actor = n + "（" + e.Actor + "）"
	}
	if ev.System {
		ev.Actor = label("audit.system").In(l)
	}
	var st *policy.Step
	if e.Step != "" {
		ev.Step = stepName(def, e.Step, l)
		if e.Round > 0 {
			ev.Step += " · " + label("prc.round_n", e.Round).In(l)
		}
		if def != nil {
			st, _, _ = def.Step(e.Step)
		}
	}
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := e.Detail[k]
		var txt string
		switch k {
		case "unit_id":
			txt = units.name(anyID(val))
		case "role":
			txt = roleName(auth.Role(fmt.Sprint(val)), l)
		case "outcome":
			txt = fmt.Sprint(val)
			if st != nil {
				if o, ok := st.Outcome(txt); ok {
					txt = nameIn(o.Name, l)
				}
			}
		case "to":
			txt = stepName(def, fmt.Sprint(val), l)
		case "party":
			txt = partyName(st, fmt.Sprint(val), l)
		case "item":
			txt = checklistName(pr, fmt.Sprint(val), l)
		case "fact":
			txt = factName(def, fmt.Sprint(val), l)
		case "kind":
			txt = fmt.Sprint(val)
			if t, ok := policy.ProcessDocuments[txt]; ok {
				txt = nameIn(t, l)
			}
		case "at", "applied_at", "started_at", "due_at":
			txt = timeText(val)
		case "when":
			txt = fmt.Sprint(val)
		case "rules":
			if xs, ok := val.([]any); ok {
				var parts []string
				for _, x := range xs {
					parts = append(parts, fmt.Sprint(x))
				}
				txt = strings.Join(parts, ", ")
			}
		default:
			continue // definition, pack_version: in the header and the audit log
		}
		if txt != "" {
			ev.Detail = append(ev.Detail, labelOr("prc.d."+k, k, l)+"："+txt)
		}
	}
	return ev
}

// checklistName is a checklist item's name, from the process's checklist.
func checklistName(pr *process.Process, key string, l i18n.Locale) string {
	for _, c := range pr.Checklist {
		if c.Item == key {
			return nameIn(c.Name, l)
		}
	}
	return key
}
