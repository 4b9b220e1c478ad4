package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// ringAnswer is the testing API's key ring (endpoints' ringView).
type ringAnswer struct {
	Keys []struct {
		Kid         string     `json:"kid"`
		Alg         string     `json:"alg"`
		State       string     `json:"state"`
		Published   bool       `json:"published"`
		CreatedAt   time.Time  `json:"created_at"`
		ActivatedAt *time.Time `json:"activated_at"`
		RetiredAt   *time.Time `json:"retired_at"`
		RemoveAt    *time.Time `json:"remove_at"`
	} `json:"keys"`
	NextChange *time.Time `json:"next_change"`
	Policy     struct {
		RotateEvery  string `json:"rotate_every"`
		PublishAhead string `json:"publish_ahead"`
		RetireAfter  string `json:"retire_after"`
	} `json:"policy"`
	Seeded  bool     `json:"seeded"`
	Changed []string `json:"changed"`
}

// printRing prints the ring as a table (or the JSON as it came):
//
//	KID   ALG    STATE    PUBLISHED  CREATED  SIGNS FROM  RETIRED  REMOVED AT
func printRing(w io.Writer, body []byte, asJSON bool) error {
	if asJSON {
		_, err := w.Write(body)
		return err
	}
	var r ringAnswer
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("unexpected answer from the testing API: %v", err)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALG\tSTATE\tPUBLISHED\tCREATED\tSIGNS FROM\tRETIRED\tREMOVED AT")
	for _, k := range r.Keys {
		kid := k.Kid
		if slices.Contains(r.Changed, kid) {
			kid += " *"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", kid, k.Alg, k.State, yesNo(k.Published),
			stamp(&k.CreatedAt), stamp(k.ActivatedAt), stamp(k.RetiredAt), stamp(k.RemoveAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Changed) > 0 {
		fmt.Fprintln(w, "* new or changed by this command")
	}
	next := "never"
	if r.NextChange != nil {
		next = stamp(r.NextChange)
	}
	seeded := ""
	if r.Seeded {
		seeded = "; keys derived from keys.seed (tests only)"
	}
	_, err := fmt.Fprintf(w, "next change: %s (rotate_every %s, publish_ahead %s, retire_after %s%s)\n",
		next, r.Policy.RotateEvery, r.Policy.PublishAhead, r.Policy.RetireAfter, seeded)
	return err
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
