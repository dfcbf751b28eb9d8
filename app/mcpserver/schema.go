package mcpserver

import (
	"encoding/json"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
)

// intParam describes an integer argument: its default and bounds, which
// the SDK applies and checks before a handler runs. Without bounds (both
// zero), any integer is accepted.
type intParam struct {
	def, min, max int
}

// inputSchema infers the schema of In from its json and jsonschema tags
// and adds the defaults and bounds of its integer arguments.
func inputSchema[In any](ints map[string]intParam) *jsonschema.Schema {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("input schema: %v", err)) // a programming error, caught by every test
	}
	for name, p := range ints {
		prop, ok := s.Properties[name]
		if !ok {
			panic(fmt.Sprintf("input schema: no property %q", name))
		}
		def, _ := json.Marshal(p.def)
		prop.Default = def
		if p.min != 0 || p.max != 0 {
			prop.Minimum = jsonschema.Ptr(float64(p.min))
			prop.Maximum = jsonschema.Ptr(float64(p.max))
		}
	}
	return s
}
