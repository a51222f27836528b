package script

import (
	"context"
	"fmt"
)

// LeafStat is how often runs of a script ended at one leaf.
type LeafStat struct {
	Node    Node `json:"node"`    // as the current version (or, if gone from it, the last one that had it) has it
	Current int  `json:"current"` // runs of the current version that ended here
	All     int  `json:"all"`     // runs of every version that ended here
	Gone    bool `json:"gone"`    // the current version no longer has this leaf
}

// Stats returns, for every leaf of the current version and every leaf
// runs ended at before, how often runs reached it, and how many runs the
// script had in all.
func (s *Service) Stats(ctx context.Context, scriptID int64) ([]LeafStat, int, error) {
	sc, err := s.Find(ctx, scriptID)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT r.leaf, r.version_id, count(*) FROM script_runs r
		WHERE r.script_id = $1 GROUP BY r.leaf, r.version_id ORDER BY r.version_id DESC`, scriptID)
	if err != nil {
		return nil, 0, fmt.Errorf("statistics of script %d: %w", scriptID, err)
	}
	type count struct {
		leaf    string
		version int64
		n       int
	}
	var counts []count
	for rows.Next() {
		var c count
		if err := rows.Scan(&c.leaf, &c.version, &c.n); err != nil {
			rows.Close()
			return nil, 0, err
		}
		counts = append(counts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var out []LeafStat
	index := map[string]int{}
	if sc.VersionID != nil {
		v, err := s.FindVersion(ctx, scriptID, *sc.VersionID)
		if err != nil {
			return nil, 0, err
		}
		for _, n := range v.Tree.Nodes {
			if n.Kind.Leaf() {
				index[n.ID] = len(out)
				out = append(out, LeafStat{Node: n})
			}
		}
	}
	total := 0
	for _, c := range counts {
		total += c.n
		i, ok := index[c.leaf]
		if !ok {
			v, err := s.FindVersion(ctx, scriptID, c.version)
			if err != nil {
				return nil, 0, err
			}
			n, _ := v.Tree.Node(c.leaf)
			i = len(out)
			index[c.leaf] = i
			out = append(out, LeafStat{Node: n, Gone: true})
		}
		out[i].All += c.n
		if sc.VersionID != nil && c.version == *sc.VersionID {
			out[i].Current += c.n
		}
	}
	if out == nil {
		out = []LeafStat{}
	}
	return out, total, nil
}
