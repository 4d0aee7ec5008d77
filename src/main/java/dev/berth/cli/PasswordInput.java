package dev.berth.cli;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Where a new password comes from: the terminal, without echo and asked twice, or else one line of standard input. */
public final class PasswordInput {
    // Far more than bcrypt reads; the bound only stops a stream without newlines (cat /dev/zero) from filling memory.
    private static final int MAX_LINE_BYTES = 1024;

    private final Console terminal;
    private final InputStream stdin;

    private PasswordInput(Console terminal, InputStream stdin) {
        this.terminal = terminal;
        this.stdin = stdin;
    }

    /** This process's terminal when it has one, else its standard input. */
    public static PasswordInput system() {
        Console console = System.console();
        return new PasswordInput(console != null && isTerminal(console) ? console : null, System.in);
    }

    /** One line of {@code stdin}, as from a script. */
    public static PasswordInput of(InputStream stdin) {
        return new PasswordInput(null, stdin);
    }

    /**
     * The password's bytes: UTF-8 from the terminal, as they are from standard input (without the line end).
     *
     * @throws IllegalArgumentException if none came, or the terminal's two entries differ
     */
    byte[] read(String user) throws IOException {
        return terminal != null ? fromTerminal(user) : fromLine();
    }

    /**
     * An existing password, to log in with: asked once on the terminal, without echo, or one line of standard input.
     *
     * @throws IllegalArgumentException if none came
     */
    char[] login(String user) throws IOException {
        if (terminal != null) {
            char[] password = terminal.readPassword("Password for %s: ", user);
            if (password == null) {
                throw new IllegalArgumentException("no password entered");
            }
            return password;
        }
        byte[] line = fromLine();
        try {
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(line));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            return password;
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    /** Whether this process has a terminal: progress is drawn there, and lines are printed otherwise. */
    public static boolean hasTerminal() {
        Console console = System.console();
        return console != null && isTerminal(console);
    }

    private byte[] fromTerminal(String user) {
        char[] first = terminal.readPassword("New password for %s: ", user);
        char[] second = first == null ? null : terminal.readPassword("Repeat it: ");
        try {
            if (second == null) {
                throw new IllegalArgumentException("no password entered");
            }
            if (!Arrays.equals(first, second)) {
                throw new IllegalArgumentException("the two passwords differ");
            }
            ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(first));
            byte[] password = new byte[utf8.remaining()];
            utf8.get(password);
            return password;
        } finally {
            wipe(first);
            wipe(second);
        }
    }

    private byte[] fromLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b = stdin.read();
        if (b < 0) {
            throw new IllegalArgumentException("no password on standard input");
        }
        for (; b >= 0 && b != '\n'; b = stdin.read()) {
            if (line.size() == MAX_LINE_BYTES) {
                throw new IllegalArgumentException("the password line is longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return Arrays.copyOf(bytes, end);
    }

    private static void wipe(char[] chars) {
        if (chars != null) {
            Arrays.fill(chars, '\0');
        }
    }

    /**
     * Whether input and output are a terminal. From JDK 22, System.console() may return a console reading a pipe,
     * where asking twice would eat a script's input; Console.isTerminal() (also JDK 22) tells them apart. Before it,
     * System.console() was null unless there was a terminal.
     */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Console.isTerminal() failed", e);
        }
    }
}
