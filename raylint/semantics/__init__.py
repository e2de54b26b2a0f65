"""The semantic model: what one module means to Ray (scopes and bindings, Ray names, loops, sizes, costs,
loaders, actor state) and the project index that connects modules. Rules read it; they never build it."""
