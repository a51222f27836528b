package directory_test

import (
	"slices"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestAgents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		net := must[directory.Group](t)(s.CreateGroup(ctx, directory.GroupInput{Name: "Network"}))
		admin := must[directory.Agent](t)(s.CreateAgent(ctx, directory.AgentInput{Name: "Ada", Email: "ada@desk.lv", Role: auth.RoleAdmin}))
		bob := must[directory.Agent](t)(s.CreateAgent(ctx, directory.AgentInput{
			Name: "Bob", Email: "Bob@Desk.lv", Password: "long enough", Line: 2, Language: "lv", GroupIDs: []int64{net.ID}}))

		t.Run("create applies defaults and normalises", func(t *testing.T) {
			if bob.Email != "bob@desk.lv" || bob.Role != auth.RoleAgent || bob.Line != 2 || !bob.Active ||
				!slices.Equal(bob.GroupIDs, []int64{net.ID}) {
				t.Errorf("got %+v", bob)
			}
		})
		t.Run("bad input is refused", func(t *testing.T) {
			for _, tc := range []struct {
				in    directory.AgentInput
				code  apperr.Code
				field string
			}{
				{directory.AgentInput{Name: "X", Email: "bob@desk.lv"}, apperr.Conflict, "email"},
				{directory.AgentInput{Name: "X", Email: "x@desk.lv", Role: "boss"}, apperr.Invalid, "role"},
				{directory.AgentInput{Name: "X", Email: "x@desk.lv", Line: 5}, apperr.Invalid, "line"},
				{directory.AgentInput{Name: "X", Email: "x@desk.lv", Language: "de"}, apperr.Invalid, "language"},
				{directory.AgentInput{Name: "X", Email: "x@desk.lv", Password: "short"}, apperr.Invalid, "password"},
				{directory.AgentInput{Name: "X", Email: "x@desk.lv", GroupIDs: []int64{999}}, apperr.Invalid, "group_ids"},
				{directory.AgentInput{Name: "X", Email: "x"}, apperr.Invalid, "email"},
			} {
				_, err := s.CreateAgent(ctx, tc.in)
				wantErr(t, err, tc.code, tc.field)
			}
			if _, err := s.FindAgentByEmail(ctx, "x@desk.lv"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("a refused agent was stored: %v", err)
			}
		})
		t.Run("update changes only what is set", func(t *testing.T) {
			got := must[directory.Agent](t)(s.UpdateAgent(ctx, bob.ID, directory.AgentUpdate{
				Role: ptr(auth.RoleSupervisor), GroupIDs: &[]int64{}, Password: ptr("another secret")}))
			if got.Role != auth.RoleSupervisor || len(got.GroupIDs) != 0 || got.Line != 2 || got.Language != "lv" {
				t.Errorf("got %+v", got)
			}
			var hash string
			d.R.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = $1`, bob.ID).Scan(&hash)
			if !auth.CheckPassword(hash, "another secret") {
				t.Error("password not changed")
			}
		})
		t.Run("the last active administrator stays", func(t *testing.T) {
			_, err := s.UpdateAgent(ctx, admin.ID, directory.AgentUpdate{Role: ptr(auth.RoleAgent)})
			wantErr(t, err, apperr.Conflict, "role")
			wantErr(t, s.DeactivateAgent(ctx, admin.ID), apperr.Conflict, "active")
			if ok, _ := s.AdminExists(ctx); !ok {
				t.Fatal("no administrator left")
			}
			must[directory.Agent](t)(s.UpdateAgent(ctx, bob.ID, directory.AgentUpdate{Role: ptr(auth.RoleAdmin)}))
			if err := s.DeactivateAgent(ctx, admin.ID); err != nil {
				t.Fatalf("with a second administrator: %v", err)
			}
			wantErr(t, s.DeactivateAgent(ctx, bob.ID), apperr.Conflict, "active")
		})
		t.Run("filters", func(t *testing.T) {
			must[directory.Agent](t)(s.UpdateAgent(ctx, bob.ID, directory.AgentUpdate{GroupIDs: &[]int64{net.ID}}))
			for _, tc := range []struct {
				f    directory.AgentFilter
				want []string
			}{
				{directory.AgentFilter{}, []string{"Ada", "Bob"}},
				{directory.AgentFilter{Active: ptr(false)}, []string{"Ada"}},
				{directory.AgentFilter{Role: auth.RoleAdmin, Active: ptr(true)}, []string{"Bob"}},
				{directory.AgentFilter{GroupID: &net.ID}, []string{"Bob"}},
				{directory.AgentFilter{Q: "ADA@"}, []string{"Ada"}},
			} {
				list, total, err := s.FindAgents(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, a := range list {
					names = append(names, a.Name)
				}
				if !slices.Equal(names, tc.want) || total != len(tc.want) {
					t.Errorf("%+v: got %v (%d), want %v", tc.f, names, total, tc.want)
				}
			}
			_, _, err := s.FindAgents(ctx, directory.AgentFilter{Role: "boss"})
			wantErr(t, err, apperr.Invalid, "role")
		})
	})
}

func TestPlansAndGroups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		plan := must[directory.Plan](t)(s.CreatePlan(ctx, directory.PlanInput{Name: "Basic", Description: "8x5"}))
		group := must[directory.Group](t)(s.CreateGroup(ctx, directory.GroupInput{Name: "IT"}))

		t.Run("round trip", func(t *testing.T) {
			p := must[directory.Plan](t)(s.UpdatePlan(ctx, plan.ID, directory.PlanUpdate{Name: ptr("Basic+")}))
			if p.Name != "Basic+" || p.Description != "8x5" {
				t.Errorf("got %+v", p)
			}
			g := must[directory.Group](t)(s.UpdateGroup(ctx, group.ID, directory.GroupUpdate{Description: ptr("Internal IT")}))
			if g.Name != "IT" || g.Description != "Internal IT" || len(g.AgentIDs) != 0 {
				t.Errorf("got %+v", g)
			}
		})
		t.Run("names are unique regardless of case", func(t *testing.T) {
			_, err := s.CreatePlan(ctx, directory.PlanInput{Name: "basic+"})
			wantErr(t, err, apperr.Conflict, "name")
			_, err = s.CreateGroup(ctx, directory.GroupInput{Name: "it"})
			wantErr(t, err, apperr.Conflict, "name")
			other := must[directory.Group](t)(s.CreateGroup(ctx, directory.GroupInput{Name: "Facilities"}))
			_, err = s.UpdateGroup(ctx, other.ID, directory.GroupUpdate{Name: ptr("It")})
			wantErr(t, err, apperr.Conflict, "name")
		})
		t.Run("a plan in use cannot be deleted", func(t *testing.T) {
			co := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Acme", PlanID: &plan.ID}))
			wantErr(t, s.DeletePlan(ctx, plan.ID), apperr.Conflict, "")
			must[directory.Company](t)(s.UpdateCompany(ctx, co.ID, directory.CompanyUpdate{PlanID: directory.Ref{Set: true}}))
			if err := s.DeletePlan(ctx, plan.ID); err != nil {
				t.Fatal(err)
			}
			wantErr(t, s.DeletePlan(ctx, plan.ID), apperr.NotFound, "")
		})
		t.Run("a group with tickets cannot be deleted; members are released", func(t *testing.T) {
			a := must[directory.Agent](t)(s.CreateAgent(ctx, directory.AgentInput{Name: "Al", Email: "al@x.lv", GroupIDs: []int64{group.ID}}))
			if g := must[directory.Group](t)(s.FindGroup(ctx, group.ID)); !slices.Equal(g.AgentIDs, []int64{a.ID}) {
				t.Errorf("members %v", g.AgentIDs)
			}
			c := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "C"}))
			busy := must[directory.Group](t)(s.CreateGroup(ctx, directory.GroupInput{Name: "Busy"}))
			insertTicket(t, d, c.ID, &busy.ID, nil)
			wantErr(t, s.DeleteGroup(ctx, busy.ID), apperr.Conflict, "")
			if err := s.DeleteGroup(ctx, group.ID); err != nil {
				t.Fatal(err)
			}
			if got := must[directory.Agent](t)(s.FindAgent(ctx, a.ID)); len(got.GroupIDs) != 0 {
				t.Errorf("agent still in groups %v", got.GroupIDs)
			}
		})
		t.Run("pages", func(t *testing.T) {
			for _, n := range []string{"G1", "G2", "G3"} {
				must[directory.Group](t)(s.CreateGroup(ctx, directory.GroupInput{Name: n}))
			}
			list, total, err := s.FindGroups(ctx, directory.GroupFilter{Offset: 2, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			// Busy, Facilities, G1, G2, G3
			if total != 5 || len(list) != 2 || list[0].Name != "G1" || list[1].Name != "G2" {
				t.Errorf("got %d: %+v", total, list)
			}
			if _, total, _ := s.FindGroups(ctx, directory.GroupFilter{Offset: 10}); total != 5 {
				t.Errorf("past the end: total %d", total)
			}
		})
	})
}

func TestAdministratorsDemotingEachOtherAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		a := must[directory.Agent](t)(s.CreateAgent(ctx, directory.AgentInput{Name: "A", Email: "a@x.lv", Role: auth.RoleAdmin}))
		b := must[directory.Agent](t)(s.CreateAgent(ctx, directory.AgentInput{Name: "B", Email: "b@x.lv", Role: auth.RoleAdmin}))
		for range 10 {
			errs := make(chan error, 2)
			for _, id := range []int64{a.ID, b.ID} {
				go func() {
					_, err := s.UpdateAgent(ctx, id, directory.AgentUpdate{Role: ptr(auth.RoleAgent)})
					errs <- err
				}()
			}
			e1, e2 := <-errs, <-errs
			if (e1 == nil) == (e2 == nil) {
				t.Fatalf("want exactly one refusal, got %v and %v", e1, e2)
			}
			if ok, _ := s.AdminExists(ctx); !ok {
				t.Fatal("no administrator left")
			}
			for _, id := range []int64{a.ID, b.ID} {
				must[directory.Agent](t)(s.UpdateAgent(ctx, id, directory.AgentUpdate{Role: ptr(auth.RoleAdmin)}))
			}
		}
	})
}

func TestAgentTimeZone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		ada := must[directory.Agent](t)(s.CreateAgent(ctx, directory.AgentInput{Name: "Ada", Email: "ada@desk.lv"}))
		riga := must[directory.Agent](t)(s.CreateAgent(ctx, directory.AgentInput{Name: "Rita", Email: "rita@desk.lv", TimeZone: "Europe/Riga"}))

		t.Run("defaults to UTC and is kept", func(t *testing.T) {
			if ada.TimeZone != "UTC" || riga.TimeZone != "Europe/Riga" {
				t.Errorf("time zones %q, %q", ada.TimeZone, riga.TimeZone)
			}
			got := must[directory.Agent](t)(s.FindAgentByEmail(ctx, "rita@desk.lv"))
			if got.TimeZone != "Europe/Riga" {
				t.Errorf("read back %q", got.TimeZone)
			}
		})
		t.Run("an update changes it alone", func(t *testing.T) {
			got := must[directory.Agent](t)(s.UpdateAgent(ctx, ada.ID, directory.AgentUpdate{TimeZone: ptr("America/New_York")}))
			if got.TimeZone != "America/New_York" || got.Language != "en" || got.Name != "Ada" {
				t.Errorf("got %+v", got)
			}
			if fields := (directory.AgentUpdate{TimeZone: ptr("UTC")}).AdminFields(); len(fields) != 0 {
				t.Errorf("an agent may not change their own time zone: %v", fields)
			}
		})
		t.Run("unknown zones are refused and change nothing", func(t *testing.T) {
			for _, tz := range []string{"Mars/Olympus", "Local", "../../etc/passwd", "+03:00"} {
				_, err := s.CreateAgent(ctx, directory.AgentInput{Name: "X", Email: "x@desk.lv", TimeZone: tz})
				wantErr(t, err, apperr.Invalid, "time_zone")
				_, err = s.UpdateAgent(ctx, riga.ID, directory.AgentUpdate{TimeZone: ptr(tz)})
				wantErr(t, err, apperr.Invalid, "time_zone")
			}
			if _, err := s.FindAgentByEmail(ctx, "x@desk.lv"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("a refused agent was stored: %v", err)
			}
			if got := must[directory.Agent](t)(s.FindAgent(ctx, riga.ID)); got.TimeZone != "Europe/Riga" {
				t.Errorf("time zone now %q", got.TimeZone)
			}
		})
	})
}

func TestChangePassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		bob := must[directory.Agent](t)(s.CreateAgent(ctx, directory.AgentInput{
			Name: "Bob", Email: "bob@desk.lv", Password: "first secret", MustChangePassword: true}))
		hash := func() string {
			var h string
			d.R.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = $1`, bob.ID).Scan(&h)
			return h
		}
		before := hash()

		t.Run("bad input changes nothing", func(t *testing.T) {
			for _, tc := range []struct {
				current, next string
				code          apperr.Code
				field         string
			}{
				{"wrong secret", "second secret", apperr.Invalid, "current_password"},
				{"", "second secret", apperr.Invalid, "current_password"},
				{"first secret", "short", apperr.Invalid, "new_password"},
				{"first secret", "", apperr.Invalid, "new_password"},
				{"first secret", "first secret", apperr.Invalid, "new_password"},
			} {
				wantErr(t, s.ChangePassword(ctx, bob.ID, tc.current, tc.next), tc.code, tc.field)
			}
			wantErr(t, s.ChangePassword(ctx, 99999, "first secret", "second secret"), apperr.NotFound, "")
			if hash() != before {
				t.Error("the password changed")
			}
		})
		t.Run("the right current password sets the new one", func(t *testing.T) {
			if err := s.ChangePassword(ctx, bob.ID, "first secret", "second secret"); err != nil {
				t.Fatal(err)
			}
			if !auth.CheckPassword(hash(), "second secret") {
				t.Error("new password not set")
			}
			if got := must[directory.Agent](t)(s.FindAgent(ctx, bob.ID)); got.MustChangePassword {
				t.Error("still must change the password")
			}
			wantErr(t, s.ChangePassword(ctx, bob.ID, "first secret", "third secret"), apperr.Invalid, "current_password")
		})
	})
}
