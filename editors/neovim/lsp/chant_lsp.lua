-- chant-lsp for Neovim 0.11+, in the format of nvim-lspconfig's lsp/*.lua files.
--
-- Put editors/neovim on 'runtimepath' (or copy this file to ~/.config/nvim/lsp/), then:
--   vim.lsp.enable('chant_lsp')
-- Override the command with vim.lsp.config('chant_lsp', { cmd = { '/path/to/chant-lsp' } }).
return {
  cmd = { 'chant-lsp' },
  -- Specs keep markdown highlighting; the root check below keeps the server to specs.
  filetypes = { 'markdown' },
  root_dir = function(bufnr, on_dir)
    local path = vim.api.nvim_buf_get_name(bufnr)
    -- Only files under .chant/specs/ or .chant/archive/ are chant specs: for any other
    -- markdown file on_dir is not called, so the server does not attach.
    local root = path:match('^(.*)/%.chant/specs/') or path:match('^(.*)/%.chant/archive/')
    if root then
      on_dir(root)
    end
  end,
}
