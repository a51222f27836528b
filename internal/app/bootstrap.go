package app

import (
	"context"
	"fmt"
	"io"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
)

// Bootstrap makes a fresh installation usable: when no administrator
// exists it creates one (LINEDESK_ADMIN_EMAIL, with LINEDESK_ADMIN_PASSWORD
// or a generated one-time password) and an API token, and prints both.
func (a *App) Bootstrap(ctx context.Context, out io.Writer) error {
	ok, err := a.Directory.AdminExists(ctx)
	if err != nil || ok {
		return err
	}
	password, generated := a.Config.AdminPassword, false
	if password == "" {
		password, generated = auth.RandomPassword(), true
	}
	admin, err := a.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Administrator", Email: a.Config.AdminEmail,
		Password: password, Role: auth.RoleAdmin, MustChangePassword: generated})
	if err != nil {
		return fmt.Errorf("create first administrator: %w", err)
	}
	token, _, err := a.Auth.CreateToken(ctx, admin.ID, "first start")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nLinedesk is set up. First administrator:\n  e-mail:    %s\n", admin.Email)
	if generated {
		fmt.Fprintf(out, "  password:  %s   (one-time: change it at first sign-in)\n", password)
	}
	fmt.Fprintf(out, "  API token: %s\n  API:       %s/api/v1  (description: %s/api/v1/openapi.json)\n\n",
		token, a.Config.BaseURL, a.Config.BaseURL)
	return nil
}
