// `/__admin/*`: faults on demand over HTTP and a view of the simulator's state (never the keys).
import type { IncomingMessage } from 'node:http'
import { accountInfo } from './account-views.js'
import type { MockContext } from './context.js'
import { checkRule, type FaultRule } from './faults.js'
import { fieldError, json, readJson, type Reply } from './http.js'
import { statusOf } from './state.js'

function adminState(ctx: MockContext, now: number) {
  const byStatus: Record<string, number> = {}
  for (const task of ctx.state.tasks.values()) {
    const s = statusOf(task, now)
    byStatus[s] = (byStatus[s] ?? 0) + 1
  }
  return {
    tasks: ctx.state.tasks.size,
    created: ctx.state.created,
    byStatus,
    faults: ctx.faults.list(),
    accounts: ctx.accounts.list().map((a) => accountInfo(a, now)),
    webhooks: {
      attempts: ctx.webhooks.attempts.length,
      failed: ctx.webhooks.attempts.filter((a) => !a.ok).length,
    },
  }
}

/** Answers an admin route, or undefined when there is none at this method and path. */
export async function admin(
  ctx: MockContext,
  req: IncomingMessage,
  method: string,
  path: string,
): Promise<Reply | undefined> {
  if (path === '/__admin/faults' && method === 'GET') return json(200, { faults: ctx.faults.list() })
  if (path === '/__admin/faults' && method === 'POST') {
    const body = await readJson(req, ctx.limit)
    const rules = Array.isArray(body) ? body : [body]
    const problems = rules.flatMap((r, i) =>
      checkRule(r).map((message) => ({ path: rules.length > 1 ? `[${i}]` : '(body)', message })),
    )
    if (problems.length > 0) throw fieldError(problems)
    return json(200, { faults: rules.map((r) => ctx.faults.add(r as FaultRule)) })
  }
  if (path === '/__admin/faults' && method === 'DELETE') {
    ctx.faults.clear()
    return json(200, { faults: [] })
  }
  if (path === '/__admin/state' && method === 'GET') return json(200, adminState(ctx, Date.now()))
  return undefined
}
