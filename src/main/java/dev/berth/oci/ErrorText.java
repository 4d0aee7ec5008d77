package dev.berth.oci;

/** Client-supplied text as error messages quote it. */
public final class ErrorText {
    /** Enough to recognise what was sent; more would let a client fill error bodies and logs with its own text. */
    private static final int MAX = 100;

    private ErrorText() {
    }

    /** {@code text}, cut to its first hundred characters (marked with "..."), or "(none)" for null. */
    public static String shorten(String text) {
        if (text == null) {
            return "(none)";
        }
        return text.length() > MAX ? text.substring(0, MAX) + "..." : text;
    }
}
