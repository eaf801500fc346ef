-- chant-lsp for Neovim 0.7 to 0.10 (0.11+ can use lsp/chant_lsp.lua instead):
--   require('chant_lsp').setup({ cmd = { 'chant-lsp' } })
local M = {}

--- The directory holding .chant/ for a spec path, or nil for any other file.
function M.spec_root(path)
  return path:match('^(.*)/%.chant/specs/') or path:match('^(.*)/%.chant/archive/')
end

local clients = {}

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { 'chant-lsp' }
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'markdown',
    group = vim.api.nvim_create_augroup('chant_lsp', { clear = true }),
    callback = function(args)
      local root = M.spec_root(vim.api.nvim_buf_get_name(args.buf))
      if not root then
        return
      end
      local config = { name = 'chant_lsp', cmd = cmd, root_dir = root }
      if vim.lsp.start then
        vim.lsp.start(config, { bufnr = args.buf })
        return
      end
      -- 0.7: one client per root, attached to each spec buffer.
      local id = clients[root]
      if not id then
        id = vim.lsp.start_client(config)
        clients[root] = id
      end
      if id then
        vim.lsp.buf_attach_client(args.buf, id)
      end
    end,
  })
end

return M
