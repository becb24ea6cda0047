// Self-contained SVG bar charts of performance-model predictions.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace swtc::perf {

/// What the values of a chart are: the performance model's predictions
/// (Sunway) or measurements on this machine (host profile).
enum class ChartValues { Predicted, Measured };

/// A horizontal bar chart, one bar per (name, value), in the given order,
/// bars scaled to the largest value, each labelled with its value and `unit`.
/// The title always says what the values are: "model prediction" (appended
/// as " (model prediction)" if `title` does not say it), or for
/// ChartValues::Measured "measured" (" (measured)" appended likewise). Names and title are
/// XML-escaped; names longer than 48 characters are shortened with "..." on
/// the label and kept whole in the bar's <title> tooltip. The output depends
/// only on the arguments (fixed number formatting, no locale, no time).
/// UserError on a negative or non-finite value.
std::string bar_chart_svg(const std::vector<std::pair<std::string, double>> &bars,
                          const std::string &title, const std::string &unit,
                          ChartValues values = ChartValues::Predicted);

/// XML text escaping (& < > " '); control characters other than tab and
/// newline, not allowed in XML 1.0, become '?'.
std::string xml_escape(const std::string &s);

}  // namespace swtc::perf
