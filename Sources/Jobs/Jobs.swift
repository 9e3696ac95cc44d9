/// Jobs: the durable job model, its state machine and the `JobStore` implementations.
public enum JobsModule {
    public static let schemaVersion = 1
}
