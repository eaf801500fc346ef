; Highlights inside the frontmatter (the YAML injected by injections.scm), on the
; tree-sitter-yaml grammar: field names, the `status` and `type` values, and spec IDs
; wherever they appear (depends_on, members, ...).

(block_mapping_pair
  key: (flow_node (plain_scalar (string_scalar) @property)))

(block_mapping_pair
  key: (flow_node (plain_scalar (string_scalar) @_key))
  value: (flow_node (plain_scalar (string_scalar) @constant.builtin))
  (#any-of? @_key "status" "type"))

((string_scalar) @label
  (#match? @label "^[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9a-z]{3}-[0-9a-z]{3}([.][0-9]+)*$"))
