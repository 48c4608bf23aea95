"""What every page shares: labels, palette, widgets, permalinks, exports, inert text."""
