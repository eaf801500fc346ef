-- Headless Neovim against the real server: a spec gets diagnostics, hover works on a
-- dependency, a quick fix is offered, and README.md gets no client. Mode `readme` runs the
-- README's Neovim 0.11 block as written and checks what it turns on.
--   CHANT_LSP_CMD=<server> CHANT_EDITORS=<repo>/editors CHANT_NVIM_MODE=modern|legacy|readme \
--   nvim --headless -u NONE -i NONE -n -c "luafile tests/editors/nvim_test.lua"
local function fail(msg)
  io.stderr:write('FAIL (' .. (os.getenv('CHANT_NVIM_MODE') or '?') .. '): ' .. msg .. '\n')
  vim.cmd('cquit!')
end

local editors = os.getenv('CHANT_EDITORS') or fail('CHANT_EDITORS unset')
vim.opt.runtimepath:prepend(editors .. '/neovim')
vim.cmd('filetype on')
local cmd = { os.getenv('CHANT_LSP_CMD') or 'chant-lsp' }
local mode = os.getenv('CHANT_NVIM_MODE') or 'legacy'

local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp .. '/.chant/specs', 'p')
local function write(path, text)
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
end
local spec = tmp .. '/.chant/specs/2026-03-01-001-aaa.md'
write(spec, '---\nstatus: Completed\ndepends_on: [2026-03-01-002-bbb]\n---\n# Spec A\n')
write(tmp .. '/.chant/specs/2026-03-01-002-bbb.md', '---\nstatus: completed\n---\n# Spec B, the dependency\n')
write(tmp .. '/README.md', '# Not a spec\n')

--- The ```lua block under the README's "**Neovim 0.11+**" heading.
local function readme_block()
  local lines, inside, seen = {}, false, false
  for line in io.lines(editors .. '/../README.md') do
    if not seen and line:find('^%*%*Neovim 0%.11%+%*%*') then
      seen = true
    elseif seen and not inside and line == '```lua' then
      inside = true
    elseif inside and line == '```' then
      return table.concat(lines, '\n')
    elseif inside then
      lines[#lines + 1] = line
    end
  end
  fail('no ```lua block under **Neovim 0.11+** in README.md')
end

if mode == 'readme' then
  -- As a user has it: chant-lsp on PATH, the block pasted with the real path.
  local dir, base = cmd[1]:match('^(.*)/([^/]+)$')
  if base ~= 'chant-lsp' then
    fail('mode readme needs CHANT_LSP_CMD to end in /chant-lsp: ' .. cmd[1])
  end
  vim.env.PATH = dir .. ':' .. vim.env.PATH
  local block = readme_block():gsub('/path/to/chant%-lsp/editors', editors)
  local chunk, err = loadstring(block, 'README.md Neovim block')
  if not chunk then
    fail('the README block does not parse: ' .. err)
  end
  chunk()
elseif mode == 'modern' then
  vim.lsp.config('chant_lsp', { cmd = cmd })
  vim.lsp.enable('chant_lsp')
else
  require('chant_lsp').setup({ cmd = cmd })
end

local function clients_of(buf)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = buf })
  end
  local out = {}
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
    table.insert(out, c)
  end
  return out
end

vim.cmd('edit ' .. spec)
local buf = vim.api.nvim_get_current_buf()
if not vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
  fail('no diagnostics within 15 s')
end
local codes = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  codes[#codes + 1] = tostring(d.code)
end
table.sort(codes)
if table.concat(codes, ',') ~= 'invalid-value,parse-error' then
  fail('unexpected diagnostics: ' .. table.concat(codes, ','))
end

local uri = vim.uri_from_bufnr(buf)
local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', { textDocument = { uri = uri }, position = { line = 2, character = 16 } }, 10000)
local text = ''
for _, r in pairs(hover or {}) do
  if r.result and r.result.contents then
    text = text .. (r.result.contents.value or '')
  end
end
if not text:find('Spec B, the dependency', 1, true) then
  fail('hover did not show the dependency: ' .. text)
end

local actions = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
  textDocument = { uri = uri },
  range = { start = { line = 1, character = 10 }, ['end'] = { line = 1, character = 10 } },
  context = { diagnostics = {} },
}, 10000)
local titles = {}
for _, r in pairs(actions or {}) do
  for _, a in ipairs(r.result or {}) do
    titles[#titles + 1] = a.title
  end
end
local joined = table.concat(titles, ' | ')
if not joined:find('Change to `completed`', 1, true) then
  fail('no quick fix: ' .. joined)
end

if mode == 'readme' then
  if not vim.diagnostic.config().virtual_text then
    fail('virtual_text is off')
  end
  if not vim.lsp.inlay_hint.is_enabled({ bufnr = buf }) then
    fail('inlay hints not enabled for the spec buffer')
  end
  if not vim.wait(10000, function() return #vim.lsp.inlay_hint.get({ bufnr = buf }) > 0 end, 50) then
    fail('no inlay hints shown')
  end
  -- Code lenses come only from a textDocument/codeLens request, which the block makes.
  if not vim.wait(10000, function() return #vim.lsp.codelens.get(buf) > 0 end, 50) then
    fail('no code lens requested or shown')
  end
  for keys, fn in pairs({ grr = vim.lsp.buf.references, gra = vim.lsp.buf.code_action, gd = vim.lsp.buf.definition }) do
    local m = vim.fn.maparg(keys, 'n', false, true)
    if m.buffer ~= 1 or m.callback ~= fn then
      fail(keys .. ' is not mapped to the LSP in the spec buffer: ' .. vim.inspect(m))
    end
  end
  -- `gd` on the dependency opens it (Vim's own gd would stay in this buffer).
  vim.api.nvim_win_set_cursor(0, { 3, 16 })
  vim.cmd('normal gd')
  if not vim.wait(10000, function() return vim.api.nvim_buf_get_name(0):find('002%-bbb%.md$') ~= nil end, 50) then
    fail('gd did not go to the dependency: ' .. vim.api.nvim_buf_get_name(0))
  end
end

-- Archiving a spec open in a buffer: the server asks (vim.ui.select, prompt without ".:"),
-- then moves the file through a workspace edit, so the buffer follows the file and a `:w`
-- writes the archived copy, never a second spec under specs/.
if mode == 'modern' then
  local old = tmp .. '/.chant/specs/2026-03-01-002-bbb.md'
  vim.cmd('edit ' .. old)
  local bbuf = vim.api.nvim_get_current_buf()
  if not vim.wait(10000, function() return #clients_of(bbuf) > 0 end, 50) then
    fail('the server did not attach to spec B')
  end
  local prompts = {}
  vim.ui.select = function(items, opts, on_choice)
    prompts[#prompts + 1] = opts.prompt
    on_choice(items[1], 1)
  end
  clients_of(bbuf)[1]:request('workspace/executeCommand', {
    command = 'chant-lsp.archive',
    arguments = { vim.uri_from_bufnr(bbuf) },
  }, function() end, bbuf)
  local dest = '/.chant/archive/2026-03-01/2026-03-01-002-bbb.md'
  if not vim.wait(15000, function() return vim.api.nvim_buf_get_name(bbuf):find(dest, 1, true) ~= nil end, 50) then
    fail('the buffer did not follow the archived file: ' .. vim.api.nvim_buf_get_name(bbuf) .. '; prompts: ' .. vim.inspect(prompts))
  end
  if #prompts ~= 1 or not prompts[1]:find('^Archive 1 spec%?\n') or prompts[1]:find('[.?:]: $') then
    fail('unexpected confirmation prompt: ' .. vim.inspect(prompts))
  end
  if vim.fn.filereadable(old) == 1 or vim.fn.filereadable(tmp .. dest) ~= 1 then
    fail('the file did not move')
  end
  if vim.bo[bbuf].modified then
    fail('the archived buffer is marked modified')
  end
  vim.api.nvim_buf_call(bbuf, function() vim.cmd('write') end)
  if vim.fn.filereadable(old) == 1 then
    fail(':w recreated the spec under specs/')
  end
  vim.cmd('buffer ' .. buf)
end

vim.cmd('edit ' .. tmp .. '/README.md')
local readme = vim.api.nvim_get_current_buf()
vim.wait(500)
if #clients_of(readme) ~= 0 then
  fail('the server attached to README.md')
end
if mode == 'readme' and vim.fn.maparg('gd', 'n', false, true).buffer == 1 then
  fail('gd mapped in README.md: the LspAttach autocmd is not limited to chant_lsp')
end
print('PASS nvim ' .. tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. ' ' .. mode .. ': ' .. table.concat(codes, ',') .. '; hover; ' .. #titles .. ' code actions')
vim.cmd('qall!')
