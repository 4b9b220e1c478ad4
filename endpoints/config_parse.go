package endpoints

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// ParseConfig decodes a YAML or JSON configuration document (JSON is read as
// YAML). Unknown fields and values of the wrong type are errors; all of them
// are reported at once in a *ConfigError, each with its field path and line.
// With such an error the returned Config still holds every value that could
// be decoded, so that the caller can validate it and report everything in one
// go. An empty document gives the zero Config.
func ParseConfig(data []byte) (Config, error) {
	var cfg Config
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cfg, &ConfigError{Problems: []Problem{{Path: "(document)", Message: strings.TrimPrefix(err.Error(), "yaml: ")}}}
	}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	root := doc.Content[0]
	var ce ConfigError
	if root.Kind != yaml.MappingNode {
		ce.add("(document)", "line %d: the configuration must be a mapping of fields, not %s", root.Line, kindName(root))
		return cfg, &ce
	}
	checkKnown(&ce, root, reflect.TypeOf(cfg), "")
	if err := root.Decode(&cfg); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			ce.add("(document)", "%v", err)
		} else if len(ce.Problems) == 0 {
			for _, msg := range te.Errors {
				ce.add("(value)", "%s", msg)
			}
		}
	}
	if len(ce.Problems) > 0 {
		return cfg, &ce
	}
	return cfg, nil
}

// checkKnown walks a node beside the Go type it decodes into and records
// every key that names no field and every value that does not fit its field,
// with the field's path.
func checkKnown(ce *ConfigError, n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			f, ok := fields[key.Value]
			if !ok {
				ce.add(join(path, key.Value), "line %d: unknown field %q%s", key.Line, key.Value, suggest(key.Value, fields))
				continue
			}
			checkKnown(ce, val, f.Type, join(path, key.Value))
		}
	case t.Kind() == reflect.Map && t.Elem().Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkKnown(ce, n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			checkKnown(ce, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			ce.add(path, "line %d: %s", n.Line, typeProblem(err, t))
		}
	}
}

// typeProblem says what a value should have been.
func typeProblem(err error, t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		return "not a duration: write a number with a unit, such as 90s, 5m or 1h"
	case t.Kind() == reflect.Slice:
		return "must be a list"
	case t.Kind() == reflect.Map:
		return "must be a mapping of names to values"
	case t.Kind() == reflect.Struct:
		return "must be a mapping of fields"
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := te.Errors[0]
		if _, after, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
			msg = after
		}
		return msg
	}
	return err.Error()
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

// suggest names a known field that differs from key only in case or by
// dashes for underscores, the usual slips.
func suggest(key string, fields map[string]reflect.StructField) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	for name := range fields {
		if norm(name) == norm(key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "this"
}
