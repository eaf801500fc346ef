; The frontmatter between the `---` lines is YAML.
((minus_metadata) @injection.content
  (#set! injection.language "yaml"))

; Fenced code keeps its own language.
(fenced_code_block
  (info_string (language) @injection.language)
  (code_fence_content) @injection.content)

; Inline markdown inside blocks.
((inline) @injection.content
  (#set! injection.language "markdown_inline"))
