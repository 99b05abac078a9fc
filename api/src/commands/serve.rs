use std::net::TcpListener;
use std::time::Duration;

use anyhow::Context;

use crate::config::Config;
use crate::shutdown::Drain;
use crate::startup;

pub fn run(config: &Config, demo: bool) -> anyhow::Result<()> {
    let store = startup::open_store(config, !config.skip_migrations)?;
    startup::bootstrap(&store, config)?;
    if demo {
        super::seed_demo::run(config)?;
    }
    let mailer = crate::mail::worker::Mailer::from_config(config)?;
    let state = startup::app_state(config, store.clone())?;
    let listener = TcpListener::bind(&config.bind).with_context(|| format!("cannot listen on {}", config.bind))?;
    tracing::info!(
        "listening on http://{} — Swagger UI at http://{}/swagger-ui/",
        listener.local_addr()?,
        listener.local_addr()?
    );
    // The outbox worker, the audit sealer, the rollup folder, the billing
    // worker (which bills queued runs batch by batch) and the webhook
    // dispatcher, delivery worker and pruner, and the Idempotency-Key sweeper run beside the server and stop after it
    // (dashboards stay exact without the folder, only slower).
    let sealer = crate::sealer::spawn(store.clone())?;
    let worker = crate::mail::worker::spawn(store.clone(), mailer, state.clock.clone())?;
    let folder = crate::rollup_worker::spawn(store.clone())?;
    let billing = crate::billing::worker::spawn(store, state.clock.clone(), config.billing_batch)?;
    let hooks = persistence::Store::connect(&config.database_url, crate::webhooks::POOL_SIZE)?;
    let dispatcher = crate::webhooks::dispatcher::spawn(hooks.clone(), state.clock.clone())?;
    let pruner = crate::webhooks::pruner::spawn(hooks.clone(), state.clock.clone())?;
    let sweeper = crate::idempotency::sweeper::spawn(hooks.clone(), state.clock.clone())?;
    let sender = crate::webhooks::sender::Sender::new(config.webhook_allow_private_targets)?;
    let lease = chrono::Duration::seconds(config.webhook_lease_secs);
    let deliverer = crate::webhooks::worker::spawn(
        crate::webhooks::worker::Worker::new(hooks, sender, state.clock.clone()).with_lease(lease),
    )?;
    let metrics_listener = match &config.metrics_bind {
        Some(bind) => {
            let l = TcpListener::bind(bind).with_context(|| format!("cannot listen on METRICS_BIND {bind}"))?;
            tracing::info!("metrics without a token on http://{}/metrics", l.local_addr()?);
            Some(l)
        }
        None => None,
    };
    let drain = Drain {
        window: Duration::from_secs(config.shutdown_drain_secs),
        grace: Duration::from_secs(config.shutdown_grace_secs),
    };
    let served = actix_web::rt::System::new().block_on(async move {
        let state = actix_web::web::Data::new(state);
        let server = crate::app::serve(state.clone(), listener)?;
        let mut handles = vec![server.handle()];
        if let Some(l) = metrics_listener {
            let metrics = crate::app::run_metrics(state.clone(), l)?;
            handles.push(metrics.handle());
            actix_web::rt::spawn(metrics);
        }
        let (lifecycle, exports) = (state.lifecycle.clone(), state.exports.clone());
        actix_web::rt::spawn(crate::shutdown::on_signal(handles, lifecycle, exports, drain));
        server.await
    });
    deliverer.stop();
    pruner.stop();
    sweeper.stop();
    dispatcher.stop();
    billing.stop();
    folder.stop();
    worker.stop();
    sealer.stop();
    served?;
    Ok(())
}
