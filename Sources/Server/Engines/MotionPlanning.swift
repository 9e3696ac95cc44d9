import Foundation
import Media
import Motion

/// The API's view of Motion: the template library, request validation and planning.
public struct MotionPlanning: PlanningService {
    let pipeline: ProductPipeline

    public init(pipeline: ProductPipeline) { self.pipeline = pipeline }

    public func templates() -> [JSONValue] {
        pipeline.planner.library.templates.map { t in
            .object([
                "id": .string(t.id), "name": .string(t.id), "description": .string(t.summary),
                "category": .string(t.category), "categories": .array([.string(t.category)]),
                "aspect": .string(t.aspect), "resolution": .number(Double(t.resolution)), "frames": .number(Double(t.frames)),
                "fps": .number(Double(t.fps)), "steps": .number(Double(t.steps)), "guidance": .number(t.guidance),
                "motion_strength": .number(t.motionStrength),
                "effects": .array(t.motion.effects.map { .string($0.kind.rawValue) }),
            ])
        }
    }

    public func validate(_ request: GenerationRequest) throws {
        let planner = pipeline.planner
        if let category = request.category, !planner.categories.contains(category) {
            throw InvalidRequest(field: "category", message: "Unknown category '\(category)'; valid: \(planner.categories.joined(separator: ", ")).")
        }
        if let id = request.template {
            guard let template = try? planner.library.template(id: id) else {
                throw InvalidRequest(field: "template", message: "Unknown template '\(id)'; see GET /api/v1/templates.")
            }
            if let category = request.category, template.category != category {
                throw InvalidRequest(field: "template", message: "Template '\(id)' is for \(template.category), not \(category).")
            }
        }
    }

    public func plan(_ request: GenerationRequest, imagePath: URL?) throws -> JSONValue {
        let image = try imagePath.map { try pipeline.decode($0) }
        let (plan, _) = try pipeline.plan(request, image: image, attempt: 1, previous: nil)
        return PlanDocument.make(plan)
    }
}
