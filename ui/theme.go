package ui

import (
	"github.com/gdamore/tcell/v2"

	"github.com/destill-dev/destill/analysis"
)

// theme is the styles the widgets draw with.
type theme struct {
	base       tcell.Style
	dim        tcell.Style
	bold       tcell.Style
	bar        tcell.Style // header and pane titles
	barFocus   tcell.Style // the title of the focused pane
	selected   tcell.Style // the selected row of the focused list
	selectedBg tcell.Style // the selected row while the detail pane has the focus
	hot        tcell.Style // the finding's own lines in the detail pane
	key        tcell.Style // key names in the hints and help
	errorText  tcell.Style
	warnText   tcell.Style
	done       tcell.Style
	barFull    tcell.Style // the filled part of the progress bar
	barEmpty   tcell.Style
	// match marks the text a search matches, in the list and the detail
	// pane, over whatever style the text has.
	match func(tcell.Style) tcell.Style

	severity map[analysis.Severity]tcell.Style
}

// newTheme returns the colour theme, or with color false one that uses
// only bold, dim, underline and reverse video (NO_COLOR, --no-color).
func newTheme(color bool) theme {
	base := tcell.StyleDefault
	if !color {
		return theme{
			base:       base,
			dim:        base.Dim(true),
			bold:       base.Bold(true),
			bar:        base.Reverse(true),
			barFocus:   base.Reverse(true).Bold(true),
			selected:   base.Reverse(true),
			selectedBg: base.Underline(true),
			hot:        base.Bold(true),
			key:        base.Bold(true),
			errorText:  base.Bold(true),
			warnText:   base,
			done:       base.Bold(true),
			barFull:    base,
			barEmpty:   base.Dim(true),
			match:      func(s tcell.Style) tcell.Style { return s.Underline(true).Bold(true) },
			severity: map[analysis.Severity]tcell.Style{
				analysis.SeverityError:   base.Bold(true),
				analysis.SeverityWarning: base,
				analysis.SeverityInfo:    base.Dim(true),
			},
		}
	}
	return theme{
		base:       base,
		dim:        base.Foreground(tcell.ColorGray),
		bold:       base.Bold(true),
		bar:        base.Background(tcell.ColorDarkSlateGray).Foreground(tcell.ColorWhite),
		barFocus:   base.Background(tcell.ColorSteelBlue).Foreground(tcell.ColorWhite).Bold(true),
		selected:   base.Background(tcell.ColorSteelBlue).Foreground(tcell.ColorWhite),
		selectedBg: base.Background(tcell.ColorDarkSlateGray).Foreground(tcell.ColorWhite),
		hot:        base.Foreground(tcell.ColorYellow).Bold(true),
		key:        base.Foreground(tcell.ColorAqua).Bold(true),
		errorText:  base.Foreground(tcell.ColorRed).Bold(true),
		warnText:   base.Foreground(tcell.ColorYellow),
		done:       base.Foreground(tcell.ColorGreen).Bold(true),
		barFull:    base.Foreground(tcell.ColorSteelBlue),
		barEmpty:   base.Foreground(tcell.ColorGray),
		match: func(tcell.Style) tcell.Style {
			return base.Background(tcell.ColorYellow).Foreground(tcell.ColorBlack).Bold(true)
		},
		severity: map[analysis.Severity]tcell.Style{
			analysis.SeverityError:   base.Foreground(tcell.ColorRed).Bold(true),
			analysis.SeverityWarning: base.Foreground(tcell.ColorYellow),
			analysis.SeverityInfo:    base.Foreground(tcell.ColorAqua),
		},
	}
}

func (t theme) forSeverity(s analysis.Severity) tcell.Style {
	if st, ok := t.severity[s]; ok {
		return st
	}
	return t.base
}
