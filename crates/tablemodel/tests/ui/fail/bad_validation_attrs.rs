use tablemodel::Model;

#[derive(Model)]
#[model(create = "ThingCreate")]
struct Thing {
    #[field(pattern = "([a-z]")]
    name: String,
    #[field(ge = "zero")]
    age: i32,
    #[field(format = "phone")]
    phone: String,
}

fn main() {}
