"""The views: what a command's result looks like in a terminal, a file or a browser
(tables, the cost log, charts, the network's figure, LaTeX, Markdown, the page)."""
