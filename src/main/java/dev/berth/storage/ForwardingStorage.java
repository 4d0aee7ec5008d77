package dev.berth.storage;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A store that passes every call to another: a decorator overrides the calls it changes (a tier, a test's count). */
public abstract class ForwardingStorage implements Storage {
    protected final Storage store;

    protected ForwardingStorage(Storage store) {
        this.store = store;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return store.stat(key);
    }

    @Override
    public boolean existsForReading(String key) {
        return store.existsForReading(key);
    }

    @Override
    public Optional<ObjectReader> open(String key) {
        return store.open(key);
    }

    @Override
    public Optional<byte[]> read(String key, int maxBytes) {
        return store.read(key, maxBytes);
    }

    @Override
    public void write(String key, byte[] content) {
        store.write(key, content);
    }

    @Override
    public ObjectWriter create(String key) {
        return store.create(key);
    }

    @Override
    public Path newScratchFile() {
        return store.newScratchFile();
    }

    @Override
    public void importFile(String key, Path file) {
        store.importFile(key, file);
    }

    @Override
    public Optional<URI> presign(String key, Duration ttl) {
        return store.presign(key, ttl);
    }

    @Override
    public boolean delete(String key) {
        return store.delete(key);
    }

    @Override
    public void deleteAll(String prefix) {
        store.deleteAll(prefix);
    }

    @Override
    public List<String> list(String prefix) {
        return store.list(prefix);
    }

    @Override
    public void recover() {
        store.recover();
    }
}
