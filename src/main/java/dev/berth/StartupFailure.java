package dev.berth;

/**
 * Why berth cannot start, in one line for the operator, who fixes it outside berth (a taken port, a data directory
 * another berth uses); {@link Main} prints it and exits with status 2, as for a bad configuration.
 */
public final class StartupFailure extends RuntimeException {
    public StartupFailure(String message) {
        super(message);
    }
}
