//! "Start the <phase> spec for issue #N": creates the phase's spec, never over an existing
//! file, and opens it. What the new spec says is `actions::start_phase::plan`'s job.

use crate::actions::start_phase::plan;
use crate::model::{SpecKey, Workspace};

use super::Ctx;

pub async fn run(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey, phase: Option<&str>) {
    let planned = (|| {
        let phase = phase.ok_or("no phase given")?;
        let f = ws
            .get(key)
            .ok_or("this spec is no longer in the workspace")?;
        let n = f.issue.ok_or("this spec belongs to no issue")?;
        let today = ctx.now.with_timezone(&chrono::Local).date_naive();
        plan(ws, n, phase, today, &mut || fastrand::u32(..))
    })();
    let new = match planned {
        Ok(new) => new,
        Err(why) => return ctx.error(format!("No new spec: {why}.")).await,
    };
    if let Err(e) = ctx.disk.create_new(&new.path, &new.text) {
        return ctx
            .error(format!("No new spec: cannot create {}: {e}.", new.rel))
            .await;
    }
    ctx.editor.reload(vec![new.path.clone()]).await;
    // An editor that cannot open it still says where it is.
    if !ctx.person.open_file(new.path.clone()).await {
        ctx.info(format!("Created {}.", new.rel)).await;
    }
}
