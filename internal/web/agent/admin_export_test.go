package agent

// AdminPatterns are the administration routes as registered, such as
// "POST /admin/agents/{id}".
func AdminPatterns() []string {
	var out []string
	for _, rt := range (&Server{}).adminTable() {
		out = append(out, rt.pattern)
	}
	return out
}
