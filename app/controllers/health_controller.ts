import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { HealthService } from '#services/health_service'

@inject()
export default class HealthController {
  constructor(protected health: HealthService) {}

  /** Liveness: the process answers. Orchestrators restart it when this fails. */
  async live({ response }: HttpContext) {
    return response.ok({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) })
  }

  /** Readiness: every dependency answers; 503 with the failing ones otherwise. */
  async ready({ response }: HttpContext) {
    const report = await this.health.check()
    return response.status(report.ready ? 200 : 503).send(report)
  }
}
