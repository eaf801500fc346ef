; Spec-specific highlights on top of markdown's own: acceptance-criteria checkboxes.
(task_list_marker_unchecked) @markup.list.unchecked
(task_list_marker_checked) @markup.list.checked
(atx_heading (atx_h2_marker) (inline) @markup.heading.2)
