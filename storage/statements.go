package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// statements are the request-path statements, prepared once when the store
// opens and reused: parsing SQL costs about as much as running these small
// statements. Inside a transaction use tx.StmtContext(ctx, stmt), which
// reuses the preparation on the store's one connection.
//
// They are prepared eagerly because lazily preparing one with db.Prepare
// while a transaction holds the only connection would deadlock.
type statements struct {
	insertAuthRequest, selectAuthRequest, takeAuthRequest *sql.Stmt

	ensureGrant, revokeGrant *sql.Stmt

	insertCode, selectCode, useCode *sql.Stmt

	insertToken, selectToken, rotateToken, revokeToken *sql.Stmt

	upsertSession, selectSession, deleteSession *sql.Stmt

	insertLog, countLog, oldestLog, trimLog *sql.Stmt
}

func (st *statements) list() []struct {
	dst   **sql.Stmt
	query string
} {
	return []struct {
		dst   **sql.Stmt
		query string
	}{
		{&st.insertAuthRequest, insertAuthRequestSQL},
		{&st.selectAuthRequest, selectAuthRequestSQL},
		{&st.takeAuthRequest, takeAuthRequestSQL},
		{&st.ensureGrant, ensureGrantSQL},
		{&st.revokeGrant, revokeGrantSQL},
		{&st.insertCode, insertCodeSQL},
		{&st.selectCode, selectCodeSQL},
		{&st.useCode, useCodeSQL},
		{&st.insertToken, insertTokenSQL},
		{&st.selectToken, selectTokenSQL},
		{&st.rotateToken, rotateTokenSQL},
		{&st.revokeToken, revokeTokenSQL},
		{&st.upsertSession, upsertSessionSQL},
		{&st.selectSession, selectSessionSQL},
		{&st.deleteSession, deleteSessionSQL},
		{&st.insertLog, insertLogSQL},
		{&st.countLog, countLogSQL},
		{&st.oldestLog, oldestLogSQL},
		{&st.trimLog, trimLogSQL},
	}
}

func prepareStatements(ctx context.Context, db *sql.DB) (*statements, error) {
	st := &statements{}
	for _, p := range st.list() {
		stmt, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare %q: %w", p.query, err)
		}
		*p.dst = stmt
	}
	return st, nil
}

func (st *statements) close() {
	for _, p := range st.list() {
		if *p.dst != nil {
			_ = (*p.dst).Close()
		}
	}
}
