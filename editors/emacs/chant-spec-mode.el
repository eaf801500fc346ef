;;; chant-spec-mode.el --- chant spec files with chant-lsp through Eglot -*- lexical-binding: t; -*-

;; Usage: (add-to-list 'load-path "/path/to/editors/emacs") (require 'chant-spec-mode)
;; Files under .chant/specs/ and .chant/archive/ open in `chant-spec-mode' (markdown-mode
;; when installed) and Eglot starts chant-lsp for them. Other markdown is left alone.

;;; Code:

(require 'eglot)

(defgroup chant-spec nil "Chant spec files." :group 'languages)

(defcustom chant-spec-server-command '("chant-lsp")
  "Command (program and arguments) that starts the chant language server."
  :type '(repeat string))

(if (fboundp 'markdown-mode)
    (define-derived-mode chant-spec-mode markdown-mode "Chant-Spec"
      "Major mode for chant spec files.")
  (define-derived-mode chant-spec-mode text-mode "Chant-Spec"
    "Major mode for chant spec files."))

;;;###autoload
(add-to-list 'auto-mode-alist '("/\\.chant/\\(specs\\|archive\\)/.*\\.md\\'" . chant-spec-mode))

(defun chant-spec--server-contact (&optional _interactive)
  "The server command, read at start time so customizing it takes effect."
  chant-spec-server-command)

;; The plain (MODE . CONTACT) form: Eglot 1.9 mishandles the :language-id variant.
(add-to-list 'eglot-server-programs '(chant-spec-mode . chant-spec--server-contact))
(add-hook 'chant-spec-mode-hook #'eglot-ensure)

(provide 'chant-spec-mode)
;;; chant-spec-mode.el ends here
