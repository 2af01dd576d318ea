//! PNG plots drawn with plotters' bitmap backend. The font is DejaVu Sans embedded
//! in the binary (registered for ab_glyph), so no system font library is involved.

use crate::scenarios::big_room::BigRoomResult;
use crate::simulation::SimulationResult;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::path::Path;
use std::sync::Once;

const SIZE: (u32, u32) = (960, 540);
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        if register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_err() {
            eprintln!("embedded font rejected; plots will fail to draw text");
        }
    });
}

type PlotResult = Result<(), Box<dyn std::error::Error>>;

/// Loss (%) against subscribers, one line per system.
pub fn loss_vs_subscribers(result: &BigRoomResult, path: &Path) -> PlotResult {
    fonts();
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let ramps = [&result.plain, &result.mafalda];
    let max_n = ramps.iter().flat_map(|r| r.steps.iter().map(|s| s.subscribers)).max().unwrap_or(1) as f64;
    let max_loss = ramps
        .iter()
        .flat_map(|r| r.steps.iter().map(|s| s.window.undelivered() * 100.0))
        .fold(2.0, f64::max)
        .min(100.0);
    let mut chart = ChartBuilder::on(&root)
        .caption("One big room: packets lost or not delivered, against subscribers", ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..max_n * 1.05, 0f64..max_loss * 1.05)?;
    chart
        .configure_mesh()
        .x_desc("subscribers (N)")
        .y_desc("lost or not delivered (%)")
        .label_style(("sans-serif", 15))
        .draw()?;
    chart.draw_series(LineSeries::new([(0.0, 1.0), (max_n * 1.05, 1.0)], BLACK.mix(0.4)))?
        .label("1 % loss limit")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.4)));
    for (i, ramp) in ramps.iter().enumerate() {
        let color = PALETTE[i];
        let points: Vec<(f64, f64)> = ramp.steps.iter().map(|s| (s.subscribers as f64, s.window.undelivered() * 100.0)).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(ramp.system.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 15))
        .draw()?;
    root.present()?;
    Ok(())
}

/// Running workers (cores) through the simulated day, one line per policy, log scale.
pub fn cores_over_time(result: &SimulationResult, path: &Path) -> PlotResult {
    fonts();
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let max_cores = result.outcomes.iter().flat_map(|o| o.cores_by_minute.iter().copied()).max().unwrap_or(1).max(10) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Simulated day: cores in use ({} nodes x {} cores, {} rooms, seed {})", result.nodes, result.cores_per_node, result.rooms, result.seed),
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..24f64, (1f64..max_cores * 1.5).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("hour of the day")
        .y_desc("running workers (cores, log scale)")
        .label_style(("sans-serif", 15))
        .draw()?;
    for (i, outcome) in result.outcomes.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        // A line that a later one covers exactly is drawn wider, so that both show.
        let covered_by = result.outcomes[i + 1..].iter().filter(|o| o.cores_by_minute == outcome.cores_by_minute).count() as u32;
        let width = 2 + 4 * covered_by;
        let points: Vec<(f64, f64)> = outcome
            .cores_by_minute
            .iter()
            .enumerate()
            .map(|(minute, cores)| (minute as f64 / 60.0, f64::from(*cores).max(1.0)))
            .collect();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(width)))?
            .label(format!("{} ({})", outcome.policy, outcome.workers))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(width)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 15))
        .draw()?;
    root.present()?;
    Ok(())
}
