; The shape of a chant spec's body, for editors and for chant-lsp's outline and folding
; (server/src/syntax/outline.rs reads this file): headings, their sections, code blocks.
; Grammar: tree-sitter-markdown (block).

(section (atx_heading) @heading) @section
(section (setext_heading) @heading) @section
(fenced_code_block) @code
(indented_code_block) @code
