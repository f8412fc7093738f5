'use strict'
// Starts the real KMS emulator `ministack` (PyPI, pinned in
// .ci/install-kms.sh, venv at <repo>/build/venv) on 127.0.0.1 and a free
// port, waits until it answers, and stops it by its PID: from the test's
// after() hook, and on process exit in every case.
//
// ministack binds 0.0.0.0 by default and opens more listeners (IoT mTLS on
// 8883, SFTP) unless told not to: BIND_HOST=127.0.0.1, GATEWAY_PORT=<port>,
// SERVICES=kms, IOT_MTLS_ENABLED=0, SFTP_ENABLED=0.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')

const REPO = path.resolve(__dirname, '..', '..')
const MINISTACK = process.env.MINISTACK_BIN || path.join(REPO, 'build', 'venv', 'bin', 'ministack')

// Dummy credentials for the emulator (it does not check them); never real ones.
const CREDENTIALS = { accessKeyId: 'AKIAEMULATORTESTKEY1', secretAccessKey: 'emulator-secret-access-key-not-real-0000' }
const REGION = 'us-east-1'

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function health(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/_ministack/health', timeout: 1000 }, (response) => {
      const chunks = []
      response.on('data', (c) => chunks.push(c))
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        } catch {
          resolve(null)
        }
      })
    })
    request.on('error', () => resolve(null))
    request.on('timeout', () => request.destroy())
  })
}

const running = new Set()
process.on('exit', () => {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL')
    } catch {}
  }
})

/**
 * Starts ministack; resolves `{ endpoint, port, version, pid, stop() }`.
 * Throws with the log tail when it does not come up within `timeoutMs`.
 */
async function startEmulator({ timeoutMs = 30_000 } = {}) {
  if (!fs.existsSync(MINISTACK)) {
    throw new Error(`ministack not found at ${MINISTACK}: run .ci/install-kms.sh (or set MINISTACK_BIN)`)
  }
  const port = await freePort()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'signcore-ministack-'))
  const logFile = path.join(tmp, 'ministack.log')
  const log = fs.openSync(logFile, 'w')
  const child = spawn(MINISTACK, [], {
    env: {
      PATH: process.env.PATH,
      HOME: tmp,
      TMPDIR: tmp,
      BIND_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      SERVICES: 'kms',
      IOT_MTLS_ENABLED: '0',
      SFTP_ENABLED: '0',
      LOG_LEVEL: 'WARNING',
      MINISTACK_REGION: REGION,
    },
    stdio: ['ignore', log, log],
  })
  fs.closeSync(log)
  running.add(child)
  let exited = null
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal }
      running.delete(child)
      resolve(exited)
    })
  })
  const stop = async () => {
    if (exited) return exited
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    const result = await exit
    clearTimeout(timer)
    fs.rmSync(tmp, { recursive: true, force: true })
    return result
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (exited) break
    const answer = await health(port)
    if (answer && answer.services && answer.services.kms) {
      return { endpoint: `http://127.0.0.1:${port}`, port, version: answer.version, pid: child.pid, stop, logFile }
    }
    if (Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : ''
  await stop()
  throw new Error(`ministack did not answer on 127.0.0.1:${port} within ${timeoutMs} ms${exited ? ` (exited ${JSON.stringify(exited)})` : ''}\n${tail}`)
}

module.exports = { startEmulator, freePort, CREDENTIALS, REGION, MINISTACK }
