import java.math.BigDecimal;
import java.util.Optional;

/**
 * One line of the results table. "advantage" is how many times better berth did than distribution, whichever way
 * "better" points for the metric (more per second, fewer seconds), so above 1 is always in berth's favour.
 */
record Row(String metric, String berth, String distribution, String advantage, String target, String result) {
    static final String PASS = "PASS";
    static final String FAIL = "**FAIL**";

    /** Throughput: advantage berth / distribution, against an optional minimum. */
    static Row higherBetter(String metric, double berth, double distribution, String format, Optional<Double> atLeast) {
        double advantage = berth / distribution;
        return new Row(metric, format(format, berth), format(format, distribution), String.format("%.2f×", advantage),
                atLeast.map(m -> "≥ " + BigDecimal.valueOf(m).stripTrailingZeros().toPlainString() + "×")
                        .orElse("—"),
                atLeast.map(m -> verdict(advantage >= m)).orElse(""));
    }

    /** Times: advantage distribution / berth, no target. */
    static Row lowerBetter(String metric, double berth, double distribution, String format) {
        return new Row(metric, format(format, berth), format(format, distribution),
                String.format("%.2f×", distribution / berth), "—", "");
    }

    /**
     * Times against a reference (a direct pull): advantage reference / berth, and berth's time at most
     * {@code times} the reference's.
     */
    static Row timeAtMost(String metric, double berth, double reference, String format, double times) {
        return new Row(metric, format(format, berth), format(format, reference),
                String.format("%.2f×", reference / berth),
                "time ≤ " + BigDecimal.valueOf(times).stripTrailingZeros().toPlainString() + "×",
                verdict(berth <= times * reference));
    }

    /** A count berth must hit exactly. */
    static Row exactly(String metric, double berth, double distribution, String format, double expected) {
        return exactly(metric, berth, format(format, distribution), format, expected);
    }

    /** A count berth must hit exactly, beside distribution's as given. */
    static Row exactly(String metric, double berth, String distribution, String format, double expected) {
        return new Row(metric, format(format, berth), distribution, "", "= " + format(format, expected),
                verdict(berth == expected));
    }

    /** A quantity berth must stay under. */
    static Row atMost(String metric, double berth, String distribution, String format, double limit) {
        return new Row(metric, format(format, berth), distribution, "", "≤ " + format(format, limit),
                verdict(berth <= limit));
    }

    /** Figures shown for reading the others, with nothing to pass. */
    static Row info(String metric, String berth, String distribution) {
        return new Row(metric, berth, distribution, "", "", "");
    }

    static Row failed(String metric, String message) {
        return new Row(metric + ": " + message, "", "", "", "", "**ERROR**");
    }

    boolean failed() {
        return !result.isEmpty() && !result.equals(PASS);
    }

    private static String verdict(boolean met) {
        return met ? PASS : FAIL;
    }

    private static String format(String format, double value) {
        return String.format(format, value);
    }
}
