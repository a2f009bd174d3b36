import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { HealthService, isLoopback } from '#app/instance/health_service'

@inject()
export default class HealthController {
  constructor(protected health: HealthService) {}

  /** Liveness: the process answers. Orchestrators restart it when this fails. */
  async live({ response }: HttpContext) {
    return response.ok({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) })
  }

  /**
   * Readiness: every dependency answers; 503 otherwise. Which one failed, with its error and
   * latencies, only for the machine itself (an orchestrator, the operator's curl) and admins:
   * anyone else learns the status and nothing about the services behind it.
   */
  async ready({ request, auth, response }: HttpContext) {
    const report = await this.health.check()
    const status = report.ready ? 200 : 503
    if (isLoopback(request.ip()) || auth.user?.role === 'admin')
      return response.status(status).send(report)
    return response.status(status).send({ ready: report.ready })
  }
}
