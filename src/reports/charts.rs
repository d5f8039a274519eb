//! Charts drawn on the server as SVG (plotters), so the page, a printout
//! and a saved copy all show the same picture without any script.

use plotters::prelude::*;

use super::{Distribution, MonthCount};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 300;
const GREEN: RGBColor = RGBColor(30, 123, 52);
const RED: RGBColor = RGBColor(179, 38, 30);
const BLUE: RGBColor = RGBColor(11, 79, 156);

/// Words a chart shows, in the reader's language.
pub struct ChartText<'a> {
    pub title: &'a str,
    pub x: &'a str,
    pub y: &'a str,
}

/// Axis labels: legible once the chart is scaled to its column of the page.
const LABEL: (&str, u32) = ("sans-serif", 18);
const CAPTION: (&str, u32) = ("sans-serif", 24);
/// The height of one bar of a horizontal bar chart.
const ROW: u32 = 34;

/// Runs a drawing into an SVG string; a drawing error leaves an empty chart
/// rather than failing the report.
fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), String>) -> String {
    svg_sized(HEIGHT, draw)
}

fn svg_sized(
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), String>,
) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        let drawn = root.fill(&WHITE).map_err(|e| e.to_string()).and_then(|()| draw(&root));
        if let Err(e) = drawn.and_then(|()| root.present().map_err(|e| e.to_string())) {
            tracing::warn!(error = %e, "chart not drawn");
        }
    }
    out
}

fn index(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// The name under (or beside) a bar; nothing between bars.
fn segment_label(bars: &[(String, u64)], v: &SegmentValue<i32>) -> String {
    match v {
        SegmentValue::CenterOf(i) => {
            usize::try_from(*i).ok().and_then(|i| bars.get(i)).map(|b| b.0.clone()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// A bar per labelled value, on a y axis from 0 to `top`.
fn bars(bars: &[(String, u64)], top: u64, colour: RGBColor, text: &ChartText<'_>) -> String {
    svg(|root| {
        let n = index(bars.len().max(1));
        let mut chart = ChartBuilder::on(root)
            .caption(text.title, CAPTION)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d((0..n).into_segmented(), 0u64..top)
            .map_err(|e| e.to_string())?;
        let label = |v: &SegmentValue<i32>| segment_label(bars, v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .label_style(LABEL)
            .x_label_formatter(&label)
            .y_desc(text.y)
            .y_label_formatter(&|v| v.to_string())
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(colour.filled())
                    .margin(12)
                    .data(bars.iter().enumerate().map(|(i, b)| (index(i), b.1))),
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// On-time rate (the promise kept) per group (a unit, a month), in percent;
/// groups with nothing counted are left out. The bars lie down, one row per
/// group with its name beside it, so long unit names never overlap.
pub fn on_time_rates(groups: &[(String, Option<f64>)], text: &ChartText<'_>) -> String {
    let rates: Vec<(String, u64)> =
        groups.iter().filter_map(|(name, rate)| rate.map(|r| (name.clone(), (r * 100.0).round() as u64))).collect();
    let rows = u32::try_from(rates.len().max(1)).unwrap_or(u32::MAX);
    let widest = rates.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    // CJK characters are about as wide as the font is high.
    let name_width = u32::try_from(widest).unwrap_or(u32::MAX).saturating_mul(LABEL.1).clamp(40, WIDTH / 2);
    svg_sized(90 + rows.saturating_mul(ROW), |root| {
        let n = index(rates.len().max(1));
        let mut chart = ChartBuilder::on(root)
            .caption(text.title, CAPTION)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(name_width + 10)
            .build_cartesian_2d(0u64..100, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        let label = |v: &SegmentValue<i32>| segment_label(&rates, v);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_labels(6)
            .label_style(LABEL)
            .y_label_formatter(&label)
            .x_label_formatter(&|v| format!("{v}%"))
            .x_desc(text.y)
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(GREEN.filled())
                    .margin(6)
                    .data(rates.iter().enumerate().map(|(i, b)| (index(i), b.1))),
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// How soon after T0 technicians reached the site, against the two-hour line.
pub fn on_site_distribution(d: &Distribution, deadline_minutes: i64, text: &ChartText<'_>) -> String {
    let top = d.counts.iter().copied().max().unwrap_or(0).max(1);
    let bars = index(d.counts.len().max(1));
    let width = d.bucket_minutes.max(1);
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(text.title, CAPTION)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(40)
            .build_cartesian_2d(
                (0i64..i64::from(bars) * width).with_key_points((0..=i64::from(bars) * width).step_by(30).collect()),
                0u64..top + 1,
            )
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .label_style(LABEL)
            .x_desc(text.x)
            .y_desc(text.y)
            .x_label_formatter(&|m| format!("{}:{:02}", m / 60, m % 60))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(d.counts.iter().enumerate().map(|(i, c)| {
                let start = i64::from(index(i)) * width;
                let colour = if start + width <= deadline_minutes { BLUE } else { RED };
                Rectangle::new([(start + 1, 0), (start + width - 1, *c)], colour.filled())
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new([(deadline_minutes, 0), (deadline_minutes, top + 1)], RED.stroke_width(2)))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Breaches per month of dispatch.
pub fn breaches_by_month(months: &[MonthCount], text: &ChartText<'_>) -> String {
    let counts: Vec<(String, u64)> = months.iter().map(|m| (m.month.clone(), m.breaches)).collect();
    let top = counts.iter().map(|c| c.1).max().unwrap_or(0).max(1) + 1;
    bars(&counts, top, RED, text)
}
