package httpapi

import (
	"encoding/json"
	"reflect"
	"strings"
)

// unknownFieldPath finds the first key of the JSON object b that the Go
// type t does not have, and returns its dotted path ("address.town"), or ""
// when every key is known. encoding/json only names the key, not where it
// is; the API names the full path so that a client can find it.
func unknownFieldPath(b []byte, t reflect.Type) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	return unknownIn(v, t, "")
}

func unknownIn(v any, t reflect.Type, prefix string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		fields := jsonFields(t)
		for k, val := range obj {
			ft, ok := fields[strings.ToLower(k)]
			if !ok {
				return prefix + k
			}
			if p := unknownIn(val, ft, prefix+k+"."); p != "" {
				return p
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		for k, val := range obj {
			if p := unknownIn(val, t.Elem(), prefix+k+"."); p != "" {
				return p
			}
		}
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return ""
		}
		for _, val := range list {
			if p := unknownIn(val, t.Elem(), prefix); p != "" {
				return p
			}
		}
	}
	return ""
}

// jsonFields maps the lower-cased JSON names of t's fields (embedded
// structs flattened, as encoding/json does) to their types. encoding/json
// matches names case-insensitively, and so does this.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[strings.ToLower(name)] = f.Type
	}
	return out
}
