;;; eglot_test.el --- Emacs batch + Eglot against the real chant-lsp -*- lexical-binding: t; -*-
;; CHANT_LSP_CMD=<server> CHANT_EDITORS=<repo>/editors emacs --batch -Q -l tests/editors/eglot_test.el

(require 'package)
(package-initialize)
(add-to-list 'load-path "/usr/share/emacs/site-lisp/elpa-src")
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(add-to-list 'load-path (expand-file-name "emacs" (getenv "CHANT_EDITORS")))
(require 'chant-spec-mode)
(setq chant-spec-server-command (list (getenv "CHANT_LSP_CMD")))

(defun chant-test-fail (msg &rest args)
  (princ (format "FAIL (emacs): %s\n" (apply #'format msg args)))
  (kill-emacs 1))

(let* ((root (make-temp-file "chant-eglot" t))
       (specs (expand-file-name ".chant/specs" root))
       (spec (expand-file-name "2026-03-01-001-aaa.md" specs)))
  (make-directory specs t)
  (with-temp-file (expand-file-name "2026-03-01-002-bbb.md" specs)
    (insert "---\nstatus: completed\n---\n# Spec B, the dependency\n"))
  (with-temp-file spec
    (insert "---\nstatus: Completed\ndepends_on: [2026-03-01-002-bbb]\n---\n# Spec A\n"))
  ;; project.el needs a root to start Eglot.
  (let ((default-directory root)) (call-process "git" nil nil nil "init" "-q"))
  (find-file spec)
  (unless (eq major-mode 'chant-spec-mode) (chant-test-fail "mode is %s" major-mode))
  ;; eglot-ensure waits for post-command-hook, which batch mode never runs.
  (run-hooks 'post-command-hook)
  (let ((deadline (+ (float-time) 15)) diags)
    (while (and (null diags) (< (float-time) deadline))
      (accept-process-output nil 0.1)
      (when (bound-and-true-p flymake-mode) (flymake-start))
      (setq diags (and (fboundp 'flymake-diagnostics) (flymake-diagnostics))))
    (unless diags (chant-test-fail "no diagnostics within 15 s"))
    (let* ((server (eglot-current-server))
           (hover (jsonrpc-request server :textDocument/hover
                                   (list :textDocument (list :uri (eglot--path-to-uri spec))
                                         :position (list :line 2 :character 16))))
           (text (plist-get (plist-get hover :contents) :value)))
      (unless (and text (string-match-p "Spec B, the dependency" text))
        (chant-test-fail "hover: %S" hover))
      (princ (format "PASS emacs %s eglot: %d diagnostics; hover\n" emacs-version (length diags)))
      (kill-emacs 0))))
