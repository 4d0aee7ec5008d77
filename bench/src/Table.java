import java.util.List;
import java.util.function.Function;

/** Prints the results as a Markdown table, padded so that it also reads well in a terminal. */
final class Table {
    private static final List<String> HEADER = List.of("metric", "berth", "distribution", "berth advantage", "target",
            "result");
    private static final List<Function<Row, String>> COLUMNS = List.of(Row::metric, Row::berth, Row::distribution,
            Row::advantage, Row::target, Row::result);

    private Table() {
    }

    /** The table, the lines under it, what missed its target, then {@code sections} (Markdown) as they are. */
    static void print(List<Row> rows, List<String> details, List<String> sections) {
        int[] widths = new int[HEADER.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = HEADER.get(c).length();
            for (Row row : rows) {
                widths[c] = Math.max(widths[c], COLUMNS.get(c).apply(row).length());
            }
        }
        System.out.println();
        System.out.println(line(HEADER, widths));
        StringBuilder separator = new StringBuilder("|");
        for (int width : widths) {
            separator.append("-".repeat(width + 2)).append('|');
        }
        System.out.println(separator);
        for (Row row : rows) {
            System.out.println(line(COLUMNS.stream().map(column -> column.apply(row)).toList(), widths));
        }
        System.out.println();
        for (String detail : details) {
            System.out.println("- " + detail);
        }
        List<String> missed = rows.stream().filter(Row::failed).map(Row::metric).toList();
        System.out.println();
        System.out.println(missed.isEmpty() ? "All targets met."
                : "Targets missed or failed (" + missed.size() + "): " + String.join("; ", missed));
        if (!sections.isEmpty()) {
            System.out.println();
            sections.forEach(System.out::println);
        }
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder("|");
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            String padding = " ".repeat(widths[c] - cell.length());
            // Numbers right-aligned, words left-aligned.
            line.append(' ').append(c == 0 ? cell + padding : padding + cell).append(" |");
        }
        return line.toString();
    }
}
