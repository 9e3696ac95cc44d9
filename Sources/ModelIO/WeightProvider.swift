import Tensor

/// Where model code gets its parameters. Loading is strict: `take` checks the stored shape
/// against the shape the layer expects and marks the tensor consumed; after a model is built,
/// `StrictWeights.finish()` (ModelIO) fails if any stored tensor was never taken.
public protocol WeightProvider: AnyObject {
    /// The tensor stored under the full checkpoint key `key`, which must have shape `shape`.
    func take(_ key: String, shape: [Int]) throws -> Tensor
    /// Whether a tensor is stored under `key` (used for optional tensors such as `conv_shortcut`).
    func contains(_ key: String) -> Bool
    /// The tensors stored under `keys`, each of shape `shape`, stacked along the first axis into
    /// one tensor [keys.count·shape[0], shape[1...]] — e.g. `to_q`, `to_k`, `to_v` as one
    /// projection. Each key is checked and consumed exactly as `take` does.
    func takeStacked(_ keys: [String], shape: [Int]) throws -> Tensor
}

/// A key prefix into a `WeightProvider`, mirroring the module tree of the checkpoint:
/// `scope["down_blocks.0"]["resnets.1"].take("conv1.weight", [320, 320, 3, 3])`.
public struct WeightScope {
    public let provider: any WeightProvider
    public let prefix: String

    public init(_ provider: any WeightProvider, prefix: String = "") {
        self.provider = provider
        self.prefix = prefix
    }

    /// Full checkpoint key of `name` under this scope.
    public func key(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

    public subscript(_ child: String) -> WeightScope { WeightScope(provider, prefix: key(child)) }

    public func take(_ name: String, _ shape: [Int]) throws -> Tensor {
        try provider.take(key(name), shape: shape)
    }

    public func contains(_ name: String) -> Bool { provider.contains(key(name)) }

    /// `leaf` of each child scope in `children`, stacked along the first axis:
    /// `scope.takeStacked(["to_q", "to_k", "to_v"], "weight", [320, 320])` → [960, 320].
    public func takeStacked(_ children: [String], _ leaf: String, _ shape: [Int]) throws -> Tensor {
        try provider.takeStacked(children.map { self[$0].key(leaf) }, shape: shape)
    }
}
